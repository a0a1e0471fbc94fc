package event

// DecodeJSON exposes the json-based oracle to the external tests.
var DecodeJSON = decodeJSON
