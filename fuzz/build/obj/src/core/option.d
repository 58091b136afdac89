build/obj/src/core/option.o: ../src/core/option.c ../src/core/option.h \
  ../src/util/err.h ../src/util/units.h

../src/core/option.h:

../src/util/err.h:

../src/util/units.h:
