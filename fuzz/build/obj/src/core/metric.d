build/obj/src/core/metric.o: ../src/core/metric.c ../src/core/metric.h \
  ../src/stats/hist.h

../src/core/metric.h:

../src/stats/hist.h:
