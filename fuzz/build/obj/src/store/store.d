build/obj/src/store/store.o: ../src/store/store.c ../src/store/store.h \
  ../src/core/metric.h ../src/stats/hist.h ../src/util/err.h \
  ../src/util/timeutil.h

../src/store/store.h:

../src/core/metric.h:

../src/stats/hist.h:

../src/util/err.h:

../src/util/timeutil.h:
