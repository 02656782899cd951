DELETE FROM oversight_sessions WHERE expires_at <= @now
