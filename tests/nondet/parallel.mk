# used by sched_make_j.sh
T := t1 t2 t3 t4 t5 t6
all: $(T)
$(T):
	@echo "start $@"; i=0; while [ $$i -lt 300 ]; do i=$$((i+1)); done; echo "end $@"
.PHONY: all $(T)
