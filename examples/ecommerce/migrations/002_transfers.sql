-- Outgoing transfers: recorded with the units taken out of stock, in the same transaction, and
-- marked done once the receiving warehouse confirmed its Restock, or compensated once the units
-- were put back after it failed. A row left pending means the module stopped in between.
CREATE TABLE transfers (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku          text NOT NULL,
    quantity     integer NOT NULL CHECK (quantity > 0),
    to_warehouse text NOT NULL,
    status       text NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'done', 'compensated')),
    detail       text,
    created_at   timestamptz NOT NULL DEFAULT now()
);
