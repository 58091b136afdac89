build/obj/src/workloads/dd.o: ../src/workloads/dd.c ../src/util/err.h \
  ../src/util/timeutil.h ../src/util/units.h ../src/workloads/workload.h \
  ../src/core/metric.h ../src/stats/hist.h ../src/core/option.h

../src/util/err.h:

../src/util/timeutil.h:

../src/util/units.h:

../src/workloads/workload.h:

../src/core/metric.h:

../src/stats/hist.h:

../src/core/option.h:
