build/obj/src/engines/io_uring.o: ../src/engines/io_uring.c \
  ../src/engines/engine.h ../src/util/timeutil.h

../src/engines/engine.h:

../src/util/timeutil.h:
