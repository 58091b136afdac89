build/obj/src/engines/libaio.o: ../src/engines/libaio.c \
  ../src/engines/engine.h ../src/util/timeutil.h

../src/engines/engine.h:

../src/util/timeutil.h:
