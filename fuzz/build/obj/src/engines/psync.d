build/obj/src/engines/psync.o: ../src/engines/psync.c \
  ../src/engines/engine.h ../src/util/timeutil.h

../src/engines/engine.h:

../src/util/timeutil.h:
