build/obj/src/report/text.o: ../src/report/text.c ../src/report/report.h \
  ../src/stats/summary.h

../src/report/report.h:

../src/stats/summary.h:
