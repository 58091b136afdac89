build/obj/src/workloads/registry.o: ../src/workloads/registry.c \
  ../src/workloads/workload.h ../src/core/metric.h ../src/stats/hist.h \
  ../src/core/option.h ../src/workloads/workload_list.h

../src/workloads/workload.h:

../src/core/metric.h:

../src/stats/hist.h:

../src/core/option.h:

../src/workloads/workload_list.h:
