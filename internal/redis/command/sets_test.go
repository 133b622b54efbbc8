package command

import "testing"

func TestSetsTranscript(t *testing.T) { runCollTranscript(t, "testdata/sets") }

func TestSetEffects(t *testing.T) { runEffects(t, "testdata/sets_effects") }
