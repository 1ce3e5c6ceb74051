/*
 * Introsort: quicksort with a median-of-three pivot, insertion sort for
 * short ranges, and heapsort for any range that is still being split after
 * 2*log2(n) levels, so the worst case is O(n log n) even against an
 * adversarial comparator. Quicksort recurses only into the smaller side and
 * loops on the larger, so the stack depth is at most log2(n) frames.
 */
#include <stdbool.h>
#include <stdlib.h>

#define INSERTION_SORT_MAX 12
#define NINTHER_MIN 64

struct sort {
	int (*compare)(const void *a, const void *b);
	size_t size;
};

static char *element(const struct sort *sort, char *base, size_t i)
{
	return base + i * sort->size;
}

static bool less(const struct sort *sort, char *base, size_t i, size_t j)
{
	return sort->compare(element(sort, base, i), element(sort, base, j)) < 0;
}

static void swap(const struct sort *sort, char *base, size_t i, size_t j)
{
	unsigned char *a = (unsigned char *)element(sort, base, i);
	unsigned char *b = (unsigned char *)element(sort, base, j);

	for (size_t n = sort->size; n > 0; n--, a++, b++) {
		unsigned char t = *a;

		*a = *b;
		*b = t;
	}
}

static void insertion_sort(const struct sort *sort, char *base, size_t count)
{
	for (size_t i = 1; i < count; i++) {
		for (size_t j = i; j > 0 && less(sort, base, j, j - 1); j--)
			swap(sort, base, j, j - 1);
	}
}

/* Moves element i down the max-heap base[0..count). */
static void sift_down(const struct sort *sort, char *base, size_t i, size_t count)
{
	for (;;) {
		size_t largest = i, left = 2 * i + 1, right = left + 1;

		if (left < count && less(sort, base, largest, left))
			largest = left;
		if (right < count && less(sort, base, largest, right))
			largest = right;
		if (largest == i)
			return;
		swap(sort, base, i, largest);
		i = largest;
	}
}

static void heap_sort(const struct sort *sort, char *base, size_t count)
{
	for (size_t i = count / 2; i > 0; i--)
		sift_down(sort, base, i - 1, count);
	for (size_t end = count - 1; end > 0; end--) {
		swap(sort, base, 0, end);
		sift_down(sort, base, 0, end);
	}
}

static size_t median_of_three(const struct sort *sort, char *base, size_t a, size_t b, size_t c)
{
	if (less(sort, base, a, b)) {
		if (less(sort, base, b, c))
			return b;
		return less(sort, base, a, c) ? c : a;
	}
	if (less(sort, base, a, c))
		return a;
	return less(sort, base, b, c) ? c : b;
}

/* Tukey's ninther on long ranges: a median of three medians of three. */
static size_t choose_pivot(const struct sort *sort, char *base, size_t count)
{
	size_t mid = count / 2, last = count - 1, step = count / 8;

	if (count < NINTHER_MIN)
		return median_of_three(sort, base, 0, mid, last);
	return median_of_three(sort, base,
			       median_of_three(sort, base, 0, step, 2 * step),
			       median_of_three(sort, base, mid - step, mid, mid + step),
			       median_of_three(sort, base, last - 2 * step, last - step, last));
}

/*
 * Hoare partition around a pivot moved to base[0]. Both scans stop on
 * elements equal to the pivot, which keeps runs of duplicates balanced.
 * Returns the pivot's final index: everything before it is <= and
 * everything after it is >=.
 */
static size_t partition(const struct sort *sort, char *base, size_t count)
{
	size_t i = 0, j = count;

	swap(sort, base, 0, choose_pivot(sort, base, count));
	for (;;) {
		do
			i++;
		while (i < count && less(sort, base, i, 0));
		do
			j--;
		while (j > 0 && less(sort, base, 0, j));
		if (i >= j)
			break;
		swap(sort, base, i, j);
	}
	swap(sort, base, 0, j);
	return j;
}

static void introsort(const struct sort *sort, char *base, size_t count, unsigned depth_budget)
{
	while (count > INSERTION_SORT_MAX) {
		if (depth_budget-- == 0) {
			heap_sort(sort, base, count);
			return;
		}
		size_t pivot = partition(sort, base, count);
		size_t left = pivot, right = count - pivot - 1;
		char *right_base = element(sort, base, pivot + 1);

		if (left < right) {
			introsort(sort, base, left, depth_budget);
			base = right_base;
			count = right;
		} else {
			introsort(sort, right_base, right, depth_budget);
			count = left;
		}
	}
	insertion_sort(sort, base, count);
}

static unsigned floor_log2(size_t n)
{
	unsigned log = 0;

	while (n >>= 1)
		log++;
	return log;
}

void qsort(void *base, size_t count, size_t size,
	   int (*compare)(const void *a, const void *b))
{
	struct sort sort = { compare, size };

	if (count < 2 || size == 0)
		return;
	introsort(&sort, base, count, 2 * floor_log2(count));
}
