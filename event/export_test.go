package event

// DecodeJSON exposes the json-based oracle to the external tests.
var DecodeJSON = decodeJSON

// EncodeJSON exposes the json-based encoder Encode replaced.
var EncodeJSON = encodeJSON
