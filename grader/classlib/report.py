"""report — the class's grades.csv, summary.txt and summary.json.

grades.csv has one row per student: a score per graded lab (lab1, ...), the
total, and every note on the submission. The summary gives, per lab and for
the total, the mean, median, population standard deviation, minimum and
maximum over every student of the CSV; then every test with the fraction of
graded students who failed it, worst first (what the class did not
understand); then one line per problem found in the submissions.
"""
import csv
import json
import statistics


def _lab_score(submission, lab):
    if submission.results is None:
        return 0
    prefix = f"{lab.number}."
    return sum(test.get("score", 0) for test in submission.results.get("tests", [])
               if str(test.get("number", "")).startswith(prefix))


def _number(value):
    return int(value) if float(value).is_integer() else round(value, 2)


def rows(class_submissions, graded):
    """(name, {column: score}, total, notes) per student, in name order."""
    table = []
    for submission in sorted(class_submissions, key=lambda s: s.name):
        scores = {lab.column: _number(_lab_score(submission, lab)) for lab in graded}
        notes = submission.notes + submission.lab_notes
        table.append((submission.name, scores, _number(sum(scores.values())), notes))
    return table


def write_csv(path, table, graded):
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["student"] + [lab.column for lab in graded] + ["total", "notes"])
        for name, scores, total, notes in table:
            writer.writerow([name] + [scores[lab.column] for lab in graded] +
                            [total, "; ".join(notes)])


def _statistics(values, max_score):
    return {"mean": round(statistics.fmean(values), 2),
            "median": _number(statistics.median(values)),
            "stdev": round(statistics.pstdev(values), 2),
            "min": min(values), "max": max(values), "max_score": max_score}


def _worst_first(item):
    """Sort key of a test_failures count: most failures first, then in test order."""
    (number, _), (failed, _) = item
    return -failed, [int(part) for part in number.split(".") if part.isdigit()]


def _not_graded(results):
    """How many tests of a report the grader could not run on this machine."""
    if results is None:
        return 0
    return sum(test.get("extra_data", {}).get("verdict") == "grader error"
               for test in results.get("tests", []))


def test_failures(class_submissions):
    """Per test: how many graded students failed it, worst first."""
    reports = [s.results for s in class_submissions if s.results is not None]
    counts = {}
    for results in reports:
        for test in results.get("tests", []):
            key = (test.get("number", "?"), test.get("name", "?"))
            failed, not_run = counts.get(key, (0, 0))
            if test.get("status") != "passed":
                failed += 1
                not_run += test.get("extra_data", {}).get("verdict") == "not run"
            counts[key] = (failed, not_run)
    return [{"number": number, "name": name, "failed": failed, "not_run": not_run,
             "graded": len(reports), "fraction": round(failed / len(reports), 4)}
            for (number, name), (failed, not_run) in sorted(counts.items(), key=_worst_first)]


def summarize(class_submissions, class_problems, table, graded, source):
    """The summary as a dict (summary.json); render() turns it into summary.txt."""
    per_lab = {lab.column: _statistics([scores[lab.column] for _, scores, _, _ in table],
                                       lab.max_score) for lab in graded}
    per_lab["total"] = _statistics([total for _, _, total, _ in table],
                                   sum(lab.max_score for lab in graded))
    problems = list(class_problems)
    for submission in sorted(class_submissions, key=lambda s: s.name):
        problems += [f"{submission.name}: {note}" for note in submission.notes]
        not_graded = _not_graded(submission.results)
        if not_graded:
            problems.append(f"{submission.name}: {not_graded} test(s) not graded: the grader "
                            "could not run them on this machine (see their feedback), so "
                            "its total is not the submission's score")
    isolation = next((s.results.get("extra_data", {}).get("isolation") for s in class_submissions
                      if s.results is not None), None)
    return {"submissions": source, "students": len(table), "isolation": isolation,
            "graded": sum(s.results is not None for s in class_submissions),
            "labs": {lab.column: lab.title for lab in graded},
            "statistics": per_lab, "tests": test_failures(class_submissions),
            "problems": problems}


def render(summary):
    lines = [f"Class grades for {summary['submissions']}: {summary['students']} students, "
             f"{summary['graded']} graded"]
    if summary["isolation"]:
        lines.append(f"Isolation: {summary['isolation']}")
    lines += ["",
             f"Scores per lab over all {summary['students']} students (not graded counts as 0):",
             f"  {'':8} {'mean':>8} {'median':>8} {'std dev':>8} {'min':>6} {'max':>6} "
             f"{'out of':>7}"]
    for column, stats in summary["statistics"].items():
        lines.append(f"  {column:8} {stats['mean']:>8} {stats['median']:>8} "
                     f"{stats['stdev']:>8} {stats['min']:>6} {stats['max']:>6} "
                     f"{stats['max_score']:>7}   {summary['labs'].get(column, '')}")
    lines += ["", f"Tests failed, worst first (fraction of the {summary['graded']} graded "
                  "students who failed each; 'not run': lab missing or not compiling):"]
    for test in summary["tests"]:
        lines.append(f"  {test['fraction']:>6.0%}  {test['number']:<6} {test['name']:<44} "
                     f"{test['failed']}/{test['graded']} failed"
                     + (f", {test['not_run']} not run" if test["not_run"] else ""))
    if not summary["tests"]:
        lines.append("  (no student could be graded)")
    lines += ["", f"Problems ({len(summary['problems'])}):"]
    lines += [f"  {problem}" for problem in summary["problems"]] or ["  none"]
    return "\n".join(lines) + "\n"


def write_all(out_dir, class_submissions, class_problems, graded, source):
    table = rows(class_submissions, graded)
    write_csv(f"{out_dir}/grades.csv", table, graded)
    summary = summarize(class_submissions, class_problems, table, graded, source)
    with open(f"{out_dir}/summary.json", "w", encoding="utf-8") as file:
        json.dump(summary, file, indent=2, ensure_ascii=False)
        file.write("\n")
    with open(f"{out_dir}/summary.txt", "w", encoding="utf-8") as file:
        file.write(render(summary))
    return summary
