# used by meta_make.sh
all.out: a.out b.out
	@echo "build $@"
	@cat a.out b.out > $@

%.out: %.src
	@echo "build $@"
	@cp $< $@
