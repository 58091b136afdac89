build/obj/src/core/runner.o: ../src/core/runner.c ../src/core/runner.h \
  ../src/core/plan.h ../src/targets/target.h ../src/core/option.h \
  ../src/util/cmd.h ../src/workloads/workload.h ../src/core/metric.h \
  ../src/stats/hist.h ../src/store/store.h ../src/core/facts.h \
  ../src/proto/proto.h ../src/telemetry/telemetry.h ../src/util/err.h \
  ../src/util/timeutil.h ../src/util/units.h

../src/core/runner.h:

../src/core/plan.h:

../src/targets/target.h:

../src/core/option.h:

../src/util/cmd.h:

../src/workloads/workload.h:

../src/core/metric.h:

../src/stats/hist.h:

../src/store/store.h:

../src/core/facts.h:

../src/proto/proto.h:

../src/telemetry/telemetry.h:

../src/util/err.h:

../src/util/timeutil.h:

../src/util/units.h:
