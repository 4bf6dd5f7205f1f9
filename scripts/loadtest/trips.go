package main

import (
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// tripCounter is a TCP proxy in front of PostgreSQL that counts round
// trips: each time the client writes after the server has answered (or
// first) counts one. pgx writes a statement's messages in one flush, so a
// round trip is one client burst followed by the server's answer.
type tripCounter struct {
	ln    net.Listener
	dsn   string // the DSN through the proxy
	trips atomic.Int64
	wg    sync.WaitGroup
}

func newTripCounter(dsn string) (*tripCounter, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, err
	}
	target := u.Host
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	u.Host = ln.Addr().String()
	t := &tripCounter{ln: ln, dsn: u.String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.wg.Add(1)
			go func() {
				defer t.wg.Done()
				t.serve(c, target)
			}()
		}
	}()
	return t, nil
}

// serve proxies one connection; a client write that follows a server write
// (or starts the connection) is a new round trip.
func (t *tripCounter) serve(c net.Conn, target string) {
	defer c.Close()
	s, err := net.DialTimeout("tcp", target, 5*time.Second)
	if err != nil {
		return
	}
	defer s.Close()
	var serverSpoke atomic.Bool
	serverSpoke.Store(true)
	done := make(chan struct{}, 2)
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := c.Read(buf)
			if n > 0 {
				if serverSpoke.Swap(false) {
					t.trips.Add(1)
				}
				if _, werr := s.Write(buf[:n]); werr != nil {
					break
				}
			}
			if err != nil {
				break
			}
		}
		_ = s.(*net.TCPConn).CloseWrite()
		done <- struct{}{}
	}()
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := s.Read(buf)
			if n > 0 {
				serverSpoke.Store(true)
				if _, werr := c.Write(buf[:n]); werr != nil {
					break
				}
			}
			if err != nil {
				break
			}
		}
		_ = c.(*net.TCPConn).CloseWrite()
		done <- struct{}{}
	}()
	<-done
	<-done
}

func (t *tripCounter) Close() error {
	err := t.ln.Close()
	return err
}
