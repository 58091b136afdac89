build/obj/src/engines/registry.o: ../src/engines/registry.c \
  ../src/engines/engine.h ../src/engines/engine_list.h

../src/engines/engine.h:

../src/engines/engine_list.h:
