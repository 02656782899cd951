SELECT ticket FROM oversight_sessions WHERE id = @id AND expires_at > @now
