build/obj/src/workloads/blkio.o: ../src/workloads/blkio.c \
  ../src/engines/engine.h ../src/util/err.h ../src/util/timeutil.h \
  ../src/util/units.h ../src/workloads/workload.h ../src/core/metric.h \
  ../src/stats/hist.h ../src/core/option.h

../src/engines/engine.h:

../src/util/err.h:

../src/util/timeutil.h:

../src/util/units.h:

../src/workloads/workload.h:

../src/core/metric.h:

../src/stats/hist.h:

../src/core/option.h:
