build/obj/src/targets/native.o: ../src/targets/native.c \
  ../src/targets/target.h ../src/core/option.h ../src/util/cmd.h \
  ../src/util/err.h

../src/targets/target.h:

../src/core/option.h:

../src/util/cmd.h:

../src/util/err.h:
