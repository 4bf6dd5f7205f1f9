package mailin

import (
	"errors"
	"sync"
	"testing"
)

// The queue between the FETCH reader and the sink holds at most its
// bounds (a larger message alone), keeps the order, ends with the reader,
// and releases a reader blocked on a full queue when the consumer stops.
func TestFetchAheadIsBoundedAndOrdered(t *testing.T) {
	for _, tc := range []struct {
		name            string
		maxItems, bytes int
		sizes           []int
	}{
		{"by count", 3, 1 << 20, []int{10, 10, 10, 10, 10, 10, 10}},
		{"by bytes", 100, 25, []int{10, 10, 10, 10, 10}},
		{"a message over the bytes waits alone", 100, 25, []int{10, 40, 10, 10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := newFetchAhead(tc.maxItems, tc.bytes)
			var (
				mu       sync.Mutex
				maxN     int
				maxBytes int
			)
			go func() {
				defer q.close()
				for i, n := range tc.sizes {
					q.put(fetched{f: Fetched{UID: uint32(i + 1), Raw: make([]byte, n)}})
					q.mu.Lock()
					mu.Lock()
					maxN, maxBytes = max(maxN, len(q.items)), max(maxBytes, q.bytes)
					mu.Unlock()
					q.mu.Unlock()
				}
			}()
			var got []uint32
			for {
				it, more := q.get()
				if !more {
					break
				}
				got = append(got, it.f.UID)
			}
			if len(got) != len(tc.sizes) {
				t.Fatalf("got %v", got)
			}
			for i, uid := range got {
				if uid != uint32(i+1) {
					t.Fatalf("out of order: %v", got)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if maxN > tc.maxItems {
				t.Errorf("%d items queued, bound %d", maxN, tc.maxItems)
			}
			largest := 0
			for _, n := range tc.sizes {
				largest = max(largest, n)
			}
			if maxBytes > max(tc.bytes, largest) {
				t.Errorf("%d bytes queued, bound %d", maxBytes, tc.bytes)
			}
		})
	}
	t.Run("stop releases the reader", func(t *testing.T) {
		q := newFetchAhead(1, 1<<20)
		q.put(fetched{f: Fetched{UID: 1}})
		done := make(chan bool)
		go func() { done <- q.put(fetched{err: errors.New("second")}) }()
		q.stop()
		if <-done {
			t.Fatal("put succeeded after stop")
		}
		if _, more := q.get(); more {
			t.Fatal("get after stop returned an item")
		}
	})
}
