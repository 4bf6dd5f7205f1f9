package mailin

import (
	"slices"
	"testing"
)

// FuzzOrderer checks, for any wanted set and any arrival sequence, that
// deliveries are strictly ascending, only of wanted UIDs, each once, never
// past a UID that has not arrived (before flush), and that missing plus
// delivered is exactly the wanted set.
func FuzzOrderer(f *testing.F) {
	f.Add([]byte{1, 2, 3}, []byte{3, 2, 1})
	f.Add([]byte{1, 2, 3, 9}, []byte{1, 9, 9, 4})
	f.Add([]byte{}, []byte{5})
	f.Fuzz(func(t *testing.T, wantB, arriveB []byte) {
		var want []uint32
		for _, b := range wantB {
			want = append(want, uint32(b)+1)
		}
		slices.Sort(want)
		want = slices.Compact(want)
		o := orderer{want: metas(want...), pending: map[uint32]Fetched{}}
		var got []uint32
		arrived := map[uint32]bool{}
		deliver := func(f Fetched) error {
			if len(got) > 0 && f.UID <= got[len(got)-1] {
				t.Fatalf("delivered %d after %d", f.UID, got[len(got)-1])
			}
			if !slices.Contains(want, f.UID) || !arrived[f.UID] {
				t.Fatalf("delivered %d: not wanted or not arrived", f.UID)
			}
			got = append(got, f.UID)
			return nil
		}
		for _, b := range arriveB {
			u := uint32(b) + 1
			arrived[u] = true
			if err := o.add(Fetched{UID: u}, deliver); err != nil {
				t.Fatal(err)
			}
			// Before flush, nothing may be delivered past a wanted UID
			// that has not arrived.
			for _, w := range want {
				if !arrived[w] && len(got) > 0 && got[len(got)-1] > w {
					t.Fatalf("delivered %d before %d arrived", got[len(got)-1], w)
				}
			}
		}
		missing := o.missing()
		if err := o.flush(deliver); err != nil {
			t.Fatal(err)
		}
		all := append(slices.Clone(got), missing...)
		slices.Sort(all)
		if !slices.Equal(all, want) {
			t.Fatalf("delivered %v + missing %v != wanted %v", got, missing, want)
		}
	})
}
