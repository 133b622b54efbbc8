package server

import (
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

var helloID = regexp.MustCompile(`id\r\n:[0-9]+`)

func readAllFor(c net.Conn) string {
	var out []byte
	buf := make([]byte, 65536)
	for {
		c.SetReadDeadline(time.Now().Add(150 * time.Millisecond))
		n, err := c.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				return string(out)
			}
			return string(out) + "<EOF>"
		}
	}
}

// TestCoreCompareWithRedis sends the same raw input to our server and to a
// real redis-server (REF_REDIS=host:port, e.g. a redis-server 7.0 started
// with --save ”) and compares the raw bytes that come back.
func TestCoreCompareWithRedis(t *testing.T) {
	ref := os.Getenv("REF_REDIS")
	if ref == "" {
		t.Skip("set REF_REDIS=host:port of a redis-server 7.0 to compare")
	}
	_, addr := startServer(t)
	inputs := []string{
		"*0\r\nPING\r\n", "*-1\r\nPING\r\n", "*1\r\n$-1\r\n", "*1\r\n$-5\r\n", "*abc\r\n", "*1\r\n$abc\r\n",
		"*2\r\n$4\r\nECHO\r\n$3\r\nabcd\r\n", "*1\r\n$4\r\nPING\r\nxx", "\r\n", "   \r\nPING\r\n",
		"ECHO \"a\\x41b\"\r\n", "ECHO 'a\\'b'\r\n", "ECHO \"a\"b\r\n", "ECHO a\"b\"\r\n", "PING\n", "PING\r\r\n",
		"SUBSCRIBE a\r\nRESET\r\nGET x\r\n", "MULTI\r\nSUBSCRIBE a\r\nEXEC\r\nGET x\r\n", "MULTI\r\nMULTI\r\nEXEC\r\n",
		"MULTI\r\nWATCH x\r\nEXEC\r\n", "MULTI\r\nSELECT 2\r\nSET a 1\r\nEXEC\r\nGET a\r\n", "SUBSCRIBE\r\n",
		"UNSUBSCRIBE a\r\n", "PSUBSCRIBE a\r\nPUNSUBSCRIBE b\r\nQUIT\r\n", "MULTI\r\nBLPOP\r\nEXEC\r\n",
		"CLIENT UNBLOCK abc\r\n", "CLIENT UNBLOCK 999\r\n", "BLPOP a b\r\n", "BLMPOP 0.01 0 a LEFT\r\n",
		"BLMPOP 0.01 1 a LEFT COUNT 0\r\n", "BZPOPMIN a -0\r\n", "MULTI\r\nDISCARD\r\nUNWATCH\r\n", "WATCH\r\n",
		"EXEC\r\nDISCARD\r\n", "CLIENT REPLY OFF\r\nPING\r\nCLIENT REPLY ON\r\nPING\r\n", "PUBLISH\r\n",
		"PUBSUB NUMSUB\r\n", "PUBSUB CHANNELS a b\r\n", "PUBSUB FOO\r\n", "MULTI\r\nQUIT\r\n",
		"MULTI\r\nRESET\r\nEXEC\r\n", "SELECT 16\r\nSELECT -1\r\nSELECT x\r\n",
		"MULTI\r\nEXEC extra\r\nPING\r\n", "MULTI\r\nSET a\r\nEXEC\r\nPING\r\n", "MULTI\r\nPING\r\nDISCARD x\r\nPING\r\n",
		"MULTI\r\nMULTI\r\nPING\r\nEXEC\r\n", "MULTI\r\nCLIENT PAUSE 10\r\nEXEC\r\n", "MULTI\r\nSHUTDOWN foo\r\nEXEC\r\n",
		"MULTI\r\nAUTH x\r\nEXEC\r\n", "MULTI\r\nSELECT 99\r\nEXEC\r\n",
		"SUBSCRIBE a\r\nMULTI\r\nUNSUBSCRIBE\r\n", "SUBSCRIBE a\r\nPING x y\r\nPING hi\r\n", "PSUBSCRIBE\r\n",
		"SUBSCRIBE a a b\r\nUNSUBSCRIBE a a\r\n",
		"RPUSH l a b\r\nMULTI\r\nBLMPOP 0 1 l LEFT COUNT 5\r\nBRPOP l 0\r\nEXEC\r\n",
		"SET s x\r\nBLPOP s 0\r\nBLMOVE s d LEFT LEFT 0\r\nBZPOPMIN s 0\r\nBLMPOP 0 1 s LEFT\r\n",
		"BLPOP a 0.001\r\nBLPOP a 0.0001\r\n", "CLIENT UNBLOCK 1 FOO\r\nCLIENT UNBLOCK\r\n",
		"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING", "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nbXY", "*1\r\n$4\r\nPINGXY",
		"*1\r\n:4\r\n", "*1\r\n$4\r\nP", "$4\r\nPING\r\n", "*1\r\n$4 \r\nPING\r\n", "*1 \r\n$4\r\nPING\r\n",
		"*1\r\n$+4\r\nPING\r\n", "*+1\r\n$4\r\nPING\r\n", "*01\r\n$04\r\nPING\r\n",
		"WATCH a\r\nWATCH a b\r\nMULTI\r\nEXEC\r\n", "UNWATCH x\r\n", "QUIT x\r\n", "RESET x\r\n",
		"CLIENT KILL ID 99999\r\n", "CLIENT PAUSE 10 FOO\r\nCLIENT PAUSE -1\r\nCLIENT PAUSE x\r\n",
		"HELLO 3\r\nBLPOP a 0.01\r\nBLMOVE a b LEFT LEFT 0.01\r\nBZPOPMIN a 0.01\r\nBLMPOP 0.01 1 a LEFT\r\n",
		"HELLO 3\r\nMULTI\r\nBLPOP a 0\r\nBZPOPMAX a 0\r\nBRPOPLPUSH a b 0\r\nEXEC\r\n",
		"HELLO 3\r\nWATCH a\r\nSET a 1\r\nMULTI\r\nEXEC\r\nEXEC\r\n", "HELLO 3\r\nSUBSCRIBE a\r\nUNSUBSCRIBE b\r\nPUBSUB NUMSUB a\r\n",
		"HELLO 3\r\nSUBSCRIBE a\r\nRESET\r\nPUBLISH a x\r\nPING\r\n", "HELLO 3\r\nPSUBSCRIBE a*\r\nPUBLISH ab x\r\nPUBLISH b x\r\n",
		"RPUSH q a\r\nHELLO 3\r\nBLPOP q 0\r\nBLMPOP 0 1 q LEFT\r\n", "ZADD zq 1 a\r\nHELLO 3\r\nBZPOPMIN zq 0\r\n",
		strings.Repeat("x", 70000), "*1\r\n" + strings.Repeat("x", 70000), "*1\r\n$4\r\nPING\r\n" + strings.Repeat("x", 70000),
		"SWAPDB 0 99\r\nSWAPDB x 0\r\nSWAPDB 0 x\r\nSWAPDB -1 0\r\n", "FLUSHALL x\r\nFLUSHDB SYNC\r\nFLUSHALL async\r\n",
	}
	for _, in := range inputs {
		var got [2]string
		for i, a := range []string{addr, ref} {
			c, err := net.Dial("tcp", a)
			if err != nil {
				t.Fatal(err)
			}
			c.Write([]byte(in))
			got[i] = helloID.ReplaceAllString(readAllFor(c), "id\r\n:N")
			c.Close()
		}
		if got[0] != got[1] {
			t.Errorf("input %q:\n ours %q\n redis %q", in, got[0], got[1])
		}
	}
}
