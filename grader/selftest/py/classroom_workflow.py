"""classroom_workflow.py WORKFLOW LAB...: the GitHub Classroom workflow is complete.

Used by make check (platforms.sh). WORKFLOW is grader/classroom/classroom.yml,
LAB... the number of every lab. The workflow must look like GitHub
Classroom's template: its name, its triggers, one job that installs what
grading needs through the kit's own list (grader/require-packages grading
classroom), one step per lab running grader/classroom/lab-result, and the
reporter last, reading every lab's result. Prints every problem, one a line.
"""
import sys

import yaml

REPORTER = 'classroom-resources/autograding-grading-reporter@v1'


INSTALL = 'sudo grader/require-packages grading classroom'


def problems_of(workflow, labs):
    problems = []

    def expect(condition, text):
        if not condition:
            problems.append(text)
    expect(workflow.get('name') == 'Autograding Tests',
           f"expected the name 'Autograding Tests', observed {workflow.get('name')!r}")
    triggers = workflow.get('on', workflow.get(True))
    for trigger in ('push', 'repository_dispatch'):  # GitHub Classroom's template has both
        expect(trigger in (triggers or []), f'expected a {trigger} trigger, observed {triggers!r}')
    jobs = workflow.get('jobs', {})
    expect(list(jobs) == ['run-autograding-tests'],
           f"expected one job 'run-autograding-tests', observed {list(jobs)}")
    steps = next(iter(jobs.values()), {}).get('steps', [])
    expect(any(step.get('run') == INSTALL for step in steps), f'expected a step: {INSTALL}')
    ids = [step['id'] for step in steps if str(step.get('id', '')).startswith('lab')]
    expect(ids == [f'lab{n}' for n in labs],
           f'expected one step per lab {labs}, observed {ids}')
    for step in steps:
        if step.get('id') in ids:
            want = f"grader/classroom/lab-result --lab {step['id'][3:]}"
            expect(step.get('run') == want, f"step {step['id']}: expected run: {want}")
    reporters = [step for step in steps if step.get('uses') == REPORTER]
    expect(len(reporters) == 1 and steps[-1] in reporters,
           'expected the reporter as the last step')
    if reporters:
        runners = str(reporters[0].get('with', {}).get('runners', '')).split(',')
        expect(runners == ids, f'expected runners {ids}, observed {runners}')
        env = reporters[0].get('env', {})
        for n in labs:
            want = '${{ steps.lab%s.outputs.result }}' % n
            expect(env.get(f'LAB{n}_RESULTS') == want, f'expected LAB{n}_RESULTS: {want}')
    return problems


def main(argv):
    path, labs = argv[0], argv[1:]
    problems = problems_of(yaml.safe_load(open(path)), labs)
    if problems:
        sys.exit('\n'.join(problems))


if __name__ == '__main__':
    main(sys.argv[1:])
