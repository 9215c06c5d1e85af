# mmap-labs — build, grade and check the kit.
#
#   make grade [LAB=N] [SUBMISSION=DIR]   grade the student files in labs/ (or DIR)
#   make check                            the kit's own test suite
#   make demos                            build each lab's demo programs from labs/
#   make handouts                         HTML and PDF handouts in build/handouts/
#   make docs                             the API reference in build/docs/
#   make bench [SUBMISSION=DIR]           IPC and file speeds, build/bench/results.json and
#                                         SVG charts (DIR's lab 5 channel, else the reference)
#   make gradescope                       Gradescope's autograder zip in build/gradescope/
#   make release                          the student tarball in build/release/
#   make clean                            remove build/
#
# The grader is built under $(BUILD)/grader: the runner, and for each lab its
# judge (the cmocka suite, never linked with student code), the subject's
# archive (the stub, the lab's call table and programs: the student's file is
# linked with it at grading time), copies of the lab's headers and the list of
# its tests. The flags the grader compiles student files with are fixed here
# and handed to the runner in toolchain.json (JSON, each flag one string of an
# array), which is rewritten whenever CC or the flags change. Every object file
# records the headers it includes (-MMD -MP, the .d files beside the objects),
# so that editing a header rebuilds exactly what includes it.

BUILD ?= build
CC ?= cc
STRICT ?=

KIT_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wmissing-prototypes -O2 -g -MMD -MP
# Student files: plain C11 with POSIX and Linux extensions. The judge watches
# their system calls from outside, so no flag is there to help it see them.
STUDENT_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -U_FORTIFY_SOURCE -Wall -Wextra -O1 -g
STUDENT_LINK_FLAGS = -pthread
PACKAGE_LIBS := $(shell pkg-config --libs cmocka jansson 2>/dev/null || echo -lcmocka -ljansson)
JUDGE_LINK_FLAGS = $(PACKAGE_LIBS) -pthread

LAB_DIRS := $(sort $(patsubst %/,%,$(dir $(wildcard labs/[0-9][0-9]-*/*.h))))
SUITES := $(sort $(wildcard grader/suites/lab[0-9][0-9].c))
HIDDEN_SOURCES := $(wildcard grader/suites/hidden/lab[0-9][0-9].c)
LAB_IDS := $(basename $(notdir $(SUITES)))
SUPPORT_SOURCES := $(wildcard grader/support/*.c)
RUNNER_SOURCES := $(wildcard grader/runner/*.c)
INCLUDES := -Igrader/support -Ilabs/common $(addprefix -I,$(LAB_DIRS))

GRADER := $(BUILD)/grader
SUBJECT_STUB := $(GRADER)/obj/subject/stub.o
HIDDEN_LIST := $(GRADER)/hidden-tests.list
SUPPORT_OBJECTS := $(patsubst grader/support/%.c,$(GRADER)/obj/support/%.o,$(SUPPORT_SOURCES))
RUNNER_OBJECTS := $(patsubst grader/runner/%.c,$(GRADER)/obj/runner/%.o,$(RUNNER_SOURCES))
LAB_OUTPUTS := $(foreach id,$(LAB_IDS),$(GRADER)/$(id)/judge $(GRADER)/$(id)/subject.a \
	$(GRADER)/$(id)/lab.json $(GRADER)/$(id)/include/.copied)

.PHONY: all grader grade check selftest-programs demos handouts docs bench bench-programs \
	bench-channel gradescope release clean
.DELETE_ON_ERROR:

all: grader demos

grader: $(GRADER)/runner $(GRADER)/toolchain.json $(LAB_OUTPUTS)

# What each object file includes, as the compiler found it (-MMD -MP).
-include $(wildcard $(GRADER)/obj/*/*.d $(BUILD)/bench/obj/*.d)

# A word of make quoted for the shell: 'it'\''s'.
shell_quote = '$(subst ','\'',$(1))'

# $(call keep_text,FILE,TEXT): write TEXT to FILE unless FILE holds it already.
# Done as make reads this Makefile, not by a rule, so that FILE's date moves
# only when TEXT changes and `make -n` shows what a change would rebuild.
keep_text = $(shell mkdir -p $(dir $(1)) && { printf '%s\n' $(call shell_quote,$(2)) | \
	cmp -s - $(1) || printf '%s\n' $(call shell_quote,$(2)) > $(1); })

# The compiler and every flag, kept in a file rewritten only when they change:
# whatever was compiled with them depends on it, so `make CC=clang` after a gcc
# build in the same BUILD rebuilds it all.
BUILD_FLAGS = $(GRADER)/build-flags
$(call keep_text,$(BUILD_FLAGS),$(CC) | $(KIT_CFLAGS) | $(STUDENT_CFLAGS) | \
	$(STUDENT_LINK_FLAGS) | $(PACKAGE_LIBS))

grade:
	@grader/grade $(if $(LAB),--lab $(LAB)) $(SUBMISSION)

check:
	@grader/selftest/check

# ---- the runner ----------------------------------------------------------

$(GRADER)/obj/runner/%.o: grader/runner/%.c $(BUILD_FLAGS)
	@mkdir -p $(@D)
	$(CC) $(KIT_CFLAGS) -Igrader/support -c $< -o $@

$(GRADER)/runner: $(RUNNER_OBJECTS)
	$(CC) $(KIT_CFLAGS) $^ -o $@ $(PACKAGE_LIBS)

# The compiler and flags of student files, for the runner: each flag (a word of
# make) one string, escaped by jq.
TOOLCHAIN_JSON = def words: [splits(" +") | select(. != "")]; \
	{cc: $$cc, compile_flags: ($$compile | words), link_flags: ($$link | words)}
$(GRADER)/toolchain.json: $(BUILD_FLAGS) Makefile
	@mkdir -p $(@D)
	jq -n --arg cc $(call shell_quote,$(CC)) --arg compile $(call shell_quote,$(STUDENT_CFLAGS)) \
		--arg link $(call shell_quote,$(STUDENT_LINK_FLAGS)) $(call shell_quote,$(TOOLCHAIN_JSON)) > $@

# ---- the judges and the subjects' archives ---------------------------------------

$(GRADER)/obj/support/%.o: grader/support/%.c $(BUILD_FLAGS)
	@mkdir -p $(@D)
	$(CC) $(KIT_CFLAGS) $(INCLUDES) -c $< -o $@

$(GRADER)/obj/suites/%.o: grader/suites/%.c $(HIDDEN_LIST) $(BUILD_FLAGS)
	@mkdir -p $(@D)
	$(CC) $(KIT_CFLAGS) $(INCLUDES) -c $< -o $@

# A lab's call table (grader/suites/calls/labNN.c), once as the judge's proxies
# and once as the subject's table of functions (calls.h).
$(GRADER)/obj/calls-judge/%.o: grader/suites/calls/%.c $(BUILD_FLAGS)
	@mkdir -p $(@D)
	$(CC) $(KIT_CFLAGS) $(INCLUDES) -c $< -o $@

$(GRADER)/obj/calls-subject/%.o: grader/suites/calls/%.c $(BUILD_FLAGS)
	@mkdir -p $(@D)
	$(CC) $(KIT_CFLAGS) $(INCLUDES) -DGRADE_SUBJECT_SIDE -c $< -o $@

$(SUBJECT_STUB): grader/subject/stub.c $(BUILD_FLAGS)
	@mkdir -p $(@D)
	$(CC) $(KIT_CFLAGS) $(INCLUDES) -c $< -o $@

# A suite includes its hidden tests, grader/suites/hidden/labNN.c, when the file
# exists (the student release has none). The list of those files is kept in
# HIDDEN_LIST, rewritten only when it changes, so that adding or removing one
# rebuilds the suites as editing one does.
$(call keep_text,$(HIDDEN_LIST),$(HIDDEN_SOURCES))

# The lab's demos, linked into its subject as programs a test can start: each
# demo's main() becomes grade_program_NAME (calls.h, GRADE_PROGRAMS).
lab_folder = $(wildcard labs/$(patsubst lab%,%,$(1))-*)
program_objects = $(patsubst labs/%.c,$(GRADER)/obj/programs/%.o,$(call demo_programs,$(call lab_folder,$(1))))

$(GRADER)/obj/programs/%.o: labs/%.c $(BUILD_FLAGS)
	@mkdir -p $(@D)
	$(CC) $(STUDENT_CFLAGS) -MMD -MP -Werror -Ilabs/common -I$(dir $<) \
		-Dmain=grade_program_$(subst -,_,$(notdir $*)) -c $< -o $@

# The judge: the suite, the lab's proxies and the support library; no student code.
# The support library's objects are kept: make check reads from them which
# file calls which (grader/selftest/support-layers).
.SECONDEXPANSION:
.SECONDARY: $(foreach id,$(LAB_IDS),$(call program_objects,$(id))) $(SUPPORT_OBJECTS)
$(GRADER)/%/judge: $(SUPPORT_OBJECTS) $(GRADER)/obj/suites/%.o $(GRADER)/obj/calls-judge/%.o
	@mkdir -p $(@D)
	$(CC) $(KIT_CFLAGS) $^ -o $@ $(JUDGE_LINK_FLAGS)

# The subject's archive: the stub, the lab's table of functions and its programs;
# the runner links the student's file with it.
$(GRADER)/%/subject.a: $(SUBJECT_STUB) $(GRADER)/obj/calls-subject/%.o $$(call program_objects,$$*)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

# The test list, from the kit's own judge.
$(GRADER)/%/lab.json: $(GRADER)/%/judge
	$< --list > $@

# Copies of the lab's headers and labs/common, for compiling student files.
$(GRADER)/%/include/.copied: $(wildcard labs/*/*.h)
	@mkdir -p $(@D)
	cp labs/common/*.h $(wildcard labs/$(patsubst lab%,%,$*)-*/*.h) $(@D)/
	touch $@

# ---- make check's test programs of the runner ------------------------------

# protocol-check: the judge's support library writes records, the runner's
# channel.c reads them (judge_protocol.h). runner-faults: the runner's files
# with realloc() and sched_getaffinity() wrapped, to make them fail or lie.
SELFTEST := $(GRADER)/selftest
SELFTEST_PROGRAMS := $(SELFTEST)/protocol-check $(SELFTEST)/runner-faults
JUDGE_LIBRARY_OBJECTS := $(filter-out %/judge_main.o,$(SUPPORT_OBJECTS))
RUNNER_LIBRARY_OBJECTS := $(filter-out %/main.o,$(RUNNER_OBJECTS))

selftest-programs: $(SELFTEST_PROGRAMS)

$(SELFTEST)/protocol-check: grader/selftest/protocol-check.c $(JUDGE_LIBRARY_OBJECTS) \
		$(GRADER)/obj/runner/channel.o $(GRADER)/obj/runner/utf8.o \
		$(wildcard grader/runner/*.h grader/support/*.h)
	@mkdir -p $(@D)
	$(CC) $(KIT_CFLAGS) $(INCLUDES) -Igrader/runner $< $(JUDGE_LIBRARY_OBJECTS) \
		$(GRADER)/obj/runner/channel.o $(GRADER)/obj/runner/utf8.o -o $@ $(JUDGE_LINK_FLAGS)

$(SELFTEST)/runner-faults: grader/selftest/runner-faults.c $(RUNNER_LIBRARY_OBJECTS) \
		$(wildcard grader/runner/*.h grader/support/*_protocol.h)
	@mkdir -p $(@D)
	$(CC) $(KIT_CFLAGS) -Igrader/support -Igrader/runner $< $(RUNNER_LIBRARY_OBJECTS) -o $@ \
		-Wl,--wrap=realloc,--wrap=sched_getaffinity $(PACKAGE_LIBS)

# ---- demos -----------------------------------------------------------------

# Each lab's demos are every .c file of its folder but the student file, which
# is named after the lab's header (tio.h -> tio.c). DEMO_SOURCE=solutions
# builds them with the reference solution instead of the student's file.
DEMO_SOURCE ?= labs
DEMO_CFLAGS = $(STUDENT_CFLAGS) $(if $(STRICT),-Werror -Wmissing-prototypes)
DEMO_DIR = $(BUILD)/demos$(if $(filter solutions,$(DEMO_SOURCE)),-solution)
student_file = $(basename $(wildcard $(1)/*.h)).c
demo_programs = $(filter-out $(call student_file,$(1)),$(wildcard $(1)/*.c))
DEMOS := $(foreach lab,$(LAB_DIRS),$(patsubst labs/%.c,$(DEMO_DIR)/%,$(call demo_programs,$(lab))))

demos: $(DEMOS)

define demo_rule
$(DEMO_DIR)/$(notdir $(1))/%: $(1)/%.c $(subst labs/,$(DEMO_SOURCE)/,$(call student_file,$(1))) \
		$(wildcard $(1)/*.h labs/common/*.h)
	@mkdir -p $$(@D)
	$(CC) $(DEMO_CFLAGS) -Ilabs/common -I$(1) $$< \
		$(subst labs/,$(DEMO_SOURCE)/,$(call student_file,$(1))) -pthread -o $$@
endef
$(foreach lab,$(LAB_DIRS),$(eval $(call demo_rule,$(lab))))

# ---- handouts and the API reference -----------------------------------------

# Each labs/NN-*/HANDOUT.md as one self-contained HTML page and a PDF printed
# from it by headless Chromium, with an index page.
handouts:
	@grader/require-packages handouts
	docs/build-handouts $(BUILD)/handouts

# doxygen over the lab headers; any warning (an undocumented parameter) fails.
docs:
	@grader/require-packages docs
	rm -rf $(BUILD)/docs
	mkdir -p $(BUILD)/docs
	(cat docs/Doxyfile; echo "OUTPUT_DIRECTORY = $(BUILD)/docs") | doxygen -

# ---- make bench ------------------------------------------------------------

# bench/run builds the programs below, runs them and draws the charts.
# bench is the benchmark itself; chan-peer, one end of the lab 5 channel,
# is linked with BENCH_CHANNEL, the file_ipc.c under test. That file may come
# from any folder, so it is compiled afresh on every run, with the flags the
# grader compiles student files with (optimised like the rest).
BENCH := $(BUILD)/bench
BENCH_CHANNEL ?= solutions/05-unrelated-ipc/file_ipc.c
BENCH_INCLUDES = -Ibench -Ilabs/common -Ilabs/05-unrelated-ipc
BENCH_OBJECTS := $(patsubst bench/%.c,$(BENCH)/obj/%.o,$(filter-out bench/chan-peer.c,$(wildcard bench/*.c)))
JANSSON_LIBS := $(shell pkg-config --libs jansson 2>/dev/null || echo -ljansson)

bench:
	@BUILD=$(BUILD) CC=$(CC) bench/run $(SUBMISSION)

$(BENCH)/obj/%.o: bench/%.c
	@mkdir -p $(@D)
	$(CC) $(KIT_CFLAGS) $(BENCH_INCLUDES) -c $< -o $@

$(BENCH)/bench: $(BENCH_OBJECTS)
	$(CC) $(KIT_CFLAGS) $^ -o $@ $(JANSSON_LIBS)

# bench/run compiles the channel first (bench-channel), to tell a channel that
# does not compile from a benchmark that does not build; bench-programs then
# links the object it left.
BENCH_CHANNEL_OBJECT = $(BENCH)/obj/channel-under-test.o

bench-channel:
	@mkdir -p $(BENCH)/obj
	$(CC) $(STUDENT_CFLAGS) -O2 -Ilabs/common -Ilabs/05-unrelated-ipc -c $(BENCH_CHANNEL) \
		-o $(BENCH_CHANNEL_OBJECT)

bench-programs: $(BENCH)/bench $(BENCH)/obj/chan-peer.o $(BENCH)/obj/transfer.o
	@test -f $(BENCH_CHANNEL_OBJECT) || { echo "make bench-channel first" >&2; exit 1; }
	$(CC) $(KIT_CFLAGS) $(BENCH)/obj/chan-peer.o $(BENCH)/obj/transfer.o \
		$(BENCH_CHANNEL_OBJECT) -o $(BENCH)/chan-peer

# ---- course platforms ---------------------------------------------------------

# The kit without solutions/ and grader/catalogue/, with Gradescope's setup.sh
# and run_autograder at the zip's root (grader/gradescope/).
gradescope:
	@grader/require-packages zip
	grader/gradescope/build-zip $(BUILD)/gradescope/autograder.zip

# ---- the student release ----------------------------------------------------

# build/release/mmap-labs-student.tar.gz: the kit without solutions/, hidden
# tests and the catalogue (grader/release says how). With ANSWERS=yes,
# mmap-labs-student-with-answers.tar.gz: the same, and each lab's ANSWERS.md.
release:
	@grader/release $(if $(filter yes,$(ANSWERS)),--with-answers) $(BUILD)/release

clean:
	rm -rf $(BUILD)
