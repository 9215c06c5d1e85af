# ipc.gp — the IPC chart of `make bench`: GB/s per message size, one bar per method.
# Called by bench/run with: data (lines of "LABEL GB/s GB/s ..."), output (the SVG),
# methods (the methods' names, in the data's column order).
set terminal svg size 760,430 fixed noenhanced font "DejaVu Sans,13" background rgb "white"
set output output
set title "IPC between two processes on two CPUs (make bench)"
set ylabel "GB/s (log scale)"
set xlabel "message size"
set logscale y
set yrange [0.01:*]
set grid ytics
set key top left
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
plot for [i=1:words(methods)] data using (column(i + 1)):xtic(1) title word(methods, i)
