build/obj/src/report/json.o: ../src/report/json.c ../src/report/report.h

../src/report/report.h:
