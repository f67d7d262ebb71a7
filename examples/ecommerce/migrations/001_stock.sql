-- The stock of this warehouse: one row per sku.
CREATE TABLE stock (
    sku      text PRIMARY KEY,
    quantity integer NOT NULL CHECK (quantity >= 0)
);
