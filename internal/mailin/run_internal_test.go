package mailin

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	lo, hi := 100*time.Millisecond, 2*time.Second
	for attempt := range 100 {
		ceil := min(hi, lo<<min(attempt, 20))
		for range 50 {
			d := backoff(attempt, lo, hi)
			if d < time.Millisecond || d > ceil+time.Millisecond {
				t.Fatalf("attempt %d: %v outside [1ms, %v]", attempt, d, ceil+time.Millisecond)
			}
		}
	}
	// Huge values must not overflow into negative or tiny ceilings.
	if d := backoff(70, time.Hour, 1<<62); d <= 0 {
		t.Errorf("backoff overflowed: %v", d)
	}
	if d := backoff(0, 0, 0); d != time.Millisecond {
		t.Errorf("zero bounds: %v, want 1ms", d)
	}
}

func TestGraceContext(t *testing.T) {
	parent, cancel := context.WithCancel(context.Background())
	ctx, release := graceContext(parent, time.Hour)
	defer release()
	cancel()
	if err := ctx.Err(); err != nil {
		t.Fatalf("grace context cancelled with its parent: %v", err)
	}

	parent2, cancel2 := context.WithCancel(context.Background())
	ctx2, release2 := graceContext(parent2, time.Millisecond)
	defer release2()
	cancel2()
	select {
	case <-ctx2.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("grace context not cancelled after the grace period")
	}

	ctx3, release3 := graceContext(context.Background(), time.Hour)
	release3()
	if ctx3.Err() == nil {
		t.Error("release did not cancel the grace context")
	}
}

func metas(uids ...uint32) []meta {
	out := make([]meta, len(uids))
	for i, u := range uids {
		out[i] = meta{uid: u, size: int64(u * 10)}
	}
	return out
}

func TestOrderer(t *testing.T) {
	tests := []struct {
		name        string
		want        []uint32
		arrive      []uint32
		delivered   []uint32 // before flush
		missing     []uint32
		afterFlush  []uint32
		failOnUID   uint32
		wantErrLast bool
	}{
		{"in order", []uint32{1, 2, 3}, []uint32{1, 2, 3}, []uint32{1, 2, 3}, nil, []uint32{1, 2, 3}, 0, false},
		{"reversed", []uint32{1, 2, 3}, []uint32{3, 2, 1}, []uint32{1, 2, 3}, nil, []uint32{1, 2, 3}, 0, false},
		{"gap held back", []uint32{1, 2, 3}, []uint32{1, 3}, []uint32{1}, []uint32{2}, []uint32{1, 3}, 0, false},
		{"unrequested and duplicate ignored", []uint32{5, 6}, []uint32{4, 5, 5, 6, 7}, []uint32{5, 6}, nil, []uint32{5, 6}, 0, false},
		{"failure stops", []uint32{1, 2, 3}, []uint32{1, 2, 3}, []uint32{1}, nil, nil, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := orderer{want: metas(tt.want...), pending: map[uint32]Fetched{}}
			var got []uint32
			deliver := func(f Fetched) error {
				if f.UID == tt.failOnUID {
					return errors.New("down")
				}
				if f.Size != int64(f.UID*10) {
					t.Errorf("UID %d: size %d not taken from metadata", f.UID, f.Size)
				}
				got = append(got, f.UID)
				return nil
			}
			var err error
			for _, u := range tt.arrive {
				if err = o.add(Fetched{UID: u}, deliver); err != nil {
					break
				}
			}
			if (err != nil) != tt.wantErrLast {
				t.Fatalf("error = %v", err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.delivered) {
				t.Errorf("delivered %v before flush, want %v", got, tt.delivered)
			}
			if err != nil {
				return
			}
			if m := o.missing(); fmt.Sprint(m) != fmt.Sprint(tt.missing) {
				t.Errorf("missing %v, want %v", m, tt.missing)
			}
			if err := o.flush(deliver); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.afterFlush) {
				t.Errorf("delivered %v after flush, want %v", got, tt.afterFlush)
			}
		})
	}
}
