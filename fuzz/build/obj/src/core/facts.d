build/obj/src/core/facts.o: ../src/core/facts.c ../src/core/facts.h

../src/core/facts.h:
