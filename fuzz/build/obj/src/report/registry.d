build/obj/src/report/registry.o: ../src/report/registry.c \
  ../src/report/report.h ../src/report/report_list.h

../src/report/report.h:

../src/report/report_list.h:
