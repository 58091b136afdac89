build/obj/src/report/csv.o: ../src/report/csv.c ../src/report/report.h

../src/report/report.h:
