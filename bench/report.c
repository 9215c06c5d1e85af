/*
 * report.c — medians, spreads, the printed table and build/bench/results.json.
 *
 * Every measurement is repeated; its figure is the median of the repeats and
 * its spread is (max - min) / median, so that a reader sees how far apart the
 * repeats of one run were before trusting a ratio. The table compares each
 * IPC method with a pipe and with memcpy of the same size, each scan with
 * read() and each copy with copy-rw. GB/s are 10^9 bytes per second.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bench.h"

int series_init(struct series *s, size_t repeats)
{
	s->rates = calloc(repeats, sizeof(double));
	s->messages = calloc(repeats, sizeof(double));
	s->taken = 0;
	s->median_rate = s->median_messages = s->spread = 0;
	if (s->rates == NULL || s->messages == NULL) {
		series_free(s);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void series_free(struct series *s)
{
	free(s->rates);
	free(s->messages);
	s->rates = s->messages = NULL;
}

void series_add(struct series *s, double bytes, double messages, double seconds)
{
	s->rates[s->taken] = bytes / seconds;
	s->messages[s->taken] = messages / seconds;
	s->taken++;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *values, size_t n)
{
	qsort(values, n, sizeof(*values), by_value);
	return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

void series_finish(struct series *s)
{
	if (s->taken == 0)
		return;
	s->median_messages = median(s->messages, s->taken);
	s->median_rate = median(s->rates, s->taken); /* sorts rates: min first, max last */
	s->spread = (s->rates[s->taken - 1] - s->rates[0]) / s->median_rate;
}

/* 64 B, 4 KiB, 64 KiB, 1 MiB. */
static const char *size_text(size_t size, char *text, size_t text_size)
{
	if (size >= (1u << 20) && size % (1u << 20) == 0)
		snprintf(text, text_size, "%zu MiB", size >> 20);
	else if (size >= 1024 && size % 1024 == 0)
		snprintf(text, text_size, "%zu KiB", size >> 10);
	else
		snprintf(text, text_size, "%zu B", size);
	return text;
}

static void ipc_table(const struct results *r)
{
	char size[32];

	printf("IPC: messages from CPU %d to CPU %d, median of %zu runs\n", r->cpus[0], r->cpus[1],
	       r->repeats);
	printf("  %-8s %-14s %9s %13s %8s %9s %7s\n", "size", "method", "GB/s", "messages/s",
	       "x pipe", "x memcpy", "spread");
	for (int i = 0; i < IPC_SIZES; i++) {
		const struct series *pipe = &r->ipc[i][IPC_PIPE], *copy = &r->ipc[i][IPC_MEMCPY];

		for (int m = 0; m < IPC_METHODS; m++) {
			const struct series *s = &r->ipc[i][m];

			printf("  %-8s %-14s %9.2f %13.0f %8.2f %9.2f %6.0f%%\n",
			       m == 0 ? size_text(r->ipc_sizes[i], size, sizeof(size)) : "",
			       ipc_method_name(m), s->median_rate / 1e9, s->median_messages,
			       s->median_rate / pipe->median_rate, s->median_rate / copy->median_rate,
			       100 * s->spread);
		}
	}
}

static void file_table(const struct results *r)
{
	char size[32];

	printf("\nFiles: a %s file in the page cache, on %s, median of %zu runs\n",
	       size_text(r->file_size, size, sizeof(size)), r->file_system, r->repeats);
	printf("  %-20s %9s %8s %7s\n", "method", "GB/s", "x read", "spread");
	for (int m = 0; m < FILE_METHODS; m++) {
		const struct series *s = &r->files[m];
		/* Scans are compared with read(), copies with the read()/write() copy. */
		const struct series *base = &r->files[m < FILE_COPY_RW ? FILE_READ : FILE_COPY_RW];

		printf("  %-20s %9.2f %8.2f %6.0f%%\n", file_method_name(m), s->median_rate / 1e9,
		       s->median_rate / base->median_rate, 100 * s->spread);
	}
	printf("  (x read: a scan against read, a copy against copy-rw)\n");
}

void report_table(const struct results *r)
{
	printf("Cache-line round trip between CPU %d and CPU %d: %.0f ns (spread %.0f%%)\n\n",
	       r->cpus[0], r->cpus[1], r->roundtrip.median_rate, 100 * r->roundtrip.spread);
	ipc_table(r);
	file_table(r);
}

static json_t *ipc_json(const struct results *r)
{
	json_t *list = json_array();

	for (int i = 0; i < IPC_SIZES; i++)
		for (int m = 0; m < IPC_METHODS; m++) {
			const struct series *s = &r->ipc[i][m];

			json_array_append_new(list, json_pack("{s:s, s:I, s:f, s:f, s:f}", "method",
				ipc_method_name(m), "msg_bytes", (json_int_t)r->ipc_sizes[i],
				"gb_per_s", s->median_rate / 1e9, "msgs_per_s", s->median_messages,
				"spread", s->spread));
		}
	return list;
}

/* The five methods of the contract in "file"; the variants (MAP_POPULATE, second pass) apart. */
static json_t *file_json(const struct results *r, int variants)
{
	json_t *list = json_array();

	for (int m = 0; m < FILE_METHODS; m++) {
		int variant = m == FILE_MMAP_POPULATE || m == FILE_MMAP_SECOND_PASS ||
			      m == FILE_COPY_MMAP_POPULATE;

		if (variant == variants)
			json_array_append_new(list, json_pack("{s:s, s:f, s:f}", "method",
				file_method_name(m), "gb_per_s", r->files[m].median_rate / 1e9,
				"spread", r->files[m].spread));
	}
	return list;
}

int report_json(const struct results *r, const char *path)
{
	json_t *root = json_pack("{s:f, s:f, s:o, s:o, s:o, s:I, s:s, s:I, s:[i,i]}",
		"cacheline_roundtrip_ns", r->roundtrip.median_rate,
		"cacheline_roundtrip_spread", r->roundtrip.spread,
		"ipc", ipc_json(r), "file", file_json(r, 0), "file_variants", file_json(r, 1),
		"file_bytes", (json_int_t)r->file_size, "file_system", r->file_system,
		"repeats", (json_int_t)r->repeats, "cpus", r->cpus[0], r->cpus[1]);
	int status;

	if (root == NULL) {
		errno = ENOMEM;
		return -1;
	}
	status = json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	return status;
}
