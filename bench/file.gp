# file.gp — the file chart of `make bench`: GB/s of each way to scan or copy a cached file.
# Called by bench/run with: data (lines of "\"METHOD\" GB/s"), output (the SVG),
# fs (the file system's name), size (the file's size, such as "256 MiB").
set terminal svg size 760,430 fixed noenhanced font "DejaVu Sans,13" background rgb "white"
set output output
set title sprintf("Scanning and copying a %s file in the page cache (%s, make bench)", size, fs)
set ylabel "GB/s"
set yrange [0:*]
set grid ytics
set style fill solid 0.85 border -1
set boxwidth 0.7
set xtics rotate by -25 nomirror
set bmargin 6
unset key
plot data using 0:2:xtic(1) with boxes lc rgb "#4477aa", \
     data using 0:2:(sprintf("%.2f", $2)) with labels offset 0,0.8 notitle
