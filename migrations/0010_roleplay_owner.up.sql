-- A live room has one owner instance at a time. When ownership moves, the new owner writes a
-- 'resync' command: its intent says how far the event seq jumps, past any event the old owner
-- sent out but had not yet logged.
ALTER TABLE roleplay_commands DROP CONSTRAINT roleplay_commands_kind_check;
ALTER TABLE roleplay_commands ADD CONSTRAINT roleplay_commands_kind_check
    CHECK (kind IN ('intent', 'join', 'leave', 'tick', 'resync'));
