-- Rows every gateway has long stopped needing: the place was lost, or served, minutes ago.
DELETE FROM line_places WHERE keep_until < @Before
