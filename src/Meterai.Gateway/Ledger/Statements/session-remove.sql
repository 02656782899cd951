DELETE FROM oversight_sessions WHERE id = @id
