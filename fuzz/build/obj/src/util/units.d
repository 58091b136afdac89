build/obj/src/util/units.o: ../src/util/units.c ../src/util/units.h

../src/util/units.h:
