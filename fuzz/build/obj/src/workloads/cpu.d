build/obj/src/workloads/cpu.o: ../src/workloads/cpu.c ../src/util/err.h \
  ../src/util/timeutil.h ../src/workloads/workload.h \
  ../src/core/metric.h ../src/stats/hist.h ../src/core/option.h

../src/util/err.h:

../src/util/timeutil.h:

../src/workloads/workload.h:

../src/core/metric.h:

../src/stats/hist.h:

../src/core/option.h:
