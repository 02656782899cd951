UPDATE oversight_sessions SET ticket = @ticket, expires_at = @expiresAt WHERE id = @id
