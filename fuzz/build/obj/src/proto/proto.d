build/obj/src/proto/proto.o: ../src/proto/proto.c ../src/proto/proto.h \
  ../src/core/metric.h ../src/stats/hist.h ../src/util/err.h \
  ../src/util/timeutil.h

../src/proto/proto.h:

../src/core/metric.h:

../src/stats/hist.h:

../src/util/err.h:

../src/util/timeutil.h:
