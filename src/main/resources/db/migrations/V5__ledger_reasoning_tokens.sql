-- The part of output_tokens the model spent on hidden reasoning, as the upstream reported it (OpenAI reasoning_tokens,
-- Gemini thoughtsTokenCount); NULL when it reported none. Already counted in output_tokens: a breakdown, not an addition.
ALTER TABLE usage_ledger ADD COLUMN reasoning_tokens INTEGER;
