package store

import (
	"database/sql"
	"errors"
	"reflect"
)

// A SQLite transaction answers a read of the reference tables again from
// what it read before, as a PostgreSQL one does (pgcache.go): intake reads
// the sender, its organisation and domains, the staff, settings and
// maintenance windows several times per message and once per message of a
// batch, and each read costs tens of microseconds of SQLite. The same
// analysis decides what is cached (a SELECT of the reference tables only)
// and what drops it (any other statement naming one of those tables, run
// through the transaction: every SQLite statement is, by stmt). On SQLite
// the transaction holds the write lock from BEGIN, so no other connection
// changes those tables meanwhile: the answers are exactly the database's.
//
// A read is kept as the value it was scanned into and given out as a deep
// copy, so that a caller changing what it got changes nothing kept; a read
// that found no row is kept as such.

// maxLiteEntries bounds a transaction's kept reads (the memo starts afresh).
const maxLiteEntries = 4096

// liteRead is one kept read.
type liteRead struct {
	v      reflect.Value // the scanned value (nil: no row)
	gen    [len(cachedTables)]uint64
	tables tableSet
}

// liteMemo holds a SQLite transaction's kept reads (in readCache, whose
// generations it shares).
type liteMemo map[string]*liteRead

// liteLookup answers a read from the memo: done when it did (err is then
// the read's own, sql.ErrNoRows for a get that found no row). A key is
// given for the read to be kept (liteKeep) when it is one to keep: not for
// a select into a slice that holds rows already (the read appends to them).
func (t *Tx) liteLookup(dst any, one bool, q string, args []any) (key string, info stmtInfo, done bool, err error) {
	if t.conn != nil {
		return "", info, false, nil // PostgreSQL keeps its reads itself (pgcache.go)
	}
	if !one && reflect.ValueOf(dst).Elem().Len() > 0 {
		return "", info, false, nil
	}
	info = t.db.info(q)
	if !info.reads {
		return "", info, false, nil
	}
	key, ok := cacheKey(q, args)
	if !ok {
		return "", info, false, nil
	}
	e := t.cache.lite[key]
	if e == nil {
		return key, info, false, nil
	}
	for i := range cachedTables {
		if e.tables&(1<<i) != 0 && e.gen[i] != t.cache.gen[i] {
			delete(t.cache.lite, key)
			return key, info, false, nil
		}
	}
	t.cache.hits++
	d := reflect.ValueOf(dst).Elem()
	switch {
	case !e.v.IsValid():
		return key, info, true, sql.ErrNoRows
	case one:
		d.Set(deepCopy(e.v))
	default:
		d.Set(reflect.AppendSlice(d, deepCopy(e.v)))
	}
	return key, info, true, nil
}

// liteKeep keeps what a read gave under key (none: not kept; err its
// error: a read that failed otherwise than by finding no row is not kept).
func (t *Tx) liteKeep(key string, info stmtInfo, dst any, err error) {
	if key == "" || (err != nil && !errors.Is(err, sql.ErrNoRows)) {
		return
	}
	if t.cache.lite == nil || len(t.cache.lite) >= maxLiteEntries {
		t.cache.lite = liteMemo{}
	}
	e := &liteRead{gen: t.cache.gen, tables: info.tables}
	if err == nil {
		e.v = deepCopy(reflect.ValueOf(dst).Elem())
	}
	t.cache.lite[key] = e
}

// deepCopy copies v with everything it points to: structs field by field
// (their exported fields; an unexported one, as in time.Time, is copied as
// it is), slices, maps and pointers anew.
func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(deepCopy(v.Elem()))
		return p
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			s.Index(i).Set(deepCopy(v.Index(i)))
		}
		return s
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		m := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			m.SetMapIndex(it.Key(), deepCopy(it.Value()))
		}
		return m
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		for i := range v.NumField() {
			if f := c.Field(i); f.CanSet() {
				f.Set(deepCopy(v.Field(i)))
			}
		}
		return c
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(deepCopy(v.Elem()))
		return c
	default:
		return v
	}
}
