build/obj/src/targets/registry.o: ../src/targets/registry.c \
  ../src/targets/target.h ../src/core/option.h ../src/util/cmd.h \
  ../src/util/err.h ../src/targets/target_list.h

../src/targets/target.h:

../src/core/option.h:

../src/util/cmd.h:

../src/util/err.h:

../src/targets/target_list.h:
