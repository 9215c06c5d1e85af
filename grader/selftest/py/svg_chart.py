"""svg_chart.py CHART: fails, saying why, unless CHART is an SVG file.

Used by make check (bench.sh) on the charts make bench draws with gnuplot: the
file must parse as XML and its root element must be <svg>.
"""
import sys
import xml.etree.ElementTree as tree


def main(argv):
    chart = argv[0]
    try:
        root = tree.parse(chart).getroot()
    except (OSError, tree.ParseError) as error:
        sys.exit(f'expected an SVG file {chart}, observed: {error}')
    if root.tag != '{http://www.w3.org/2000/svg}svg':
        sys.exit(f'expected an <svg> root in {chart}, observed <{root.tag}>')


if __name__ == '__main__':
    main(sys.argv[1:])
