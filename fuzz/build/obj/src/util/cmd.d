build/obj/src/util/cmd.o: ../src/util/cmd.c ../src/util/cmd.h \
  ../src/util/err.h ../src/util/timeutil.h

../src/util/cmd.h:

../src/util/err.h:

../src/util/timeutil.h:
