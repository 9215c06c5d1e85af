"""classlib — the parts of grader/grade-class, which grades a whole class.

The flow goes one way: read the command line and find the students'
submissions (cli, submissions), unpack archives safely and see how each
submission is laid out (unpack, layout), grade every submission with the
kit's runner (grading), then write the class's grades and summary (report).
kit knows where the kit is and what its labs are.
"""
