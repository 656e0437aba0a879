"""The door's eyes (local edge): camera frames → faces → face events in Rekognition's record shape."""
