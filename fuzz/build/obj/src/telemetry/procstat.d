build/obj/src/telemetry/procstat.o: ../src/telemetry/procstat.c \
  ../src/telemetry/telemetry.h ../src/core/metric.h ../src/stats/hist.h \
  ../src/util/timeutil.h

../src/telemetry/telemetry.h:

../src/core/metric.h:

../src/stats/hist.h:

../src/util/timeutil.h:
