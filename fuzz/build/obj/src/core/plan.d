build/obj/src/core/plan.o: ../src/core/plan.c ../src/core/plan.h \
  ../src/targets/target.h ../src/core/option.h ../src/util/cmd.h \
  ../src/workloads/workload.h ../src/core/metric.h ../src/stats/hist.h \
  ../src/util/err.h

../src/core/plan.h:

../src/targets/target.h:

../src/core/option.h:

../src/util/cmd.h:

../src/workloads/workload.h:

../src/core/metric.h:

../src/stats/hist.h:

../src/util/err.h:
