-- An order charged above quantity × 10,000: both amounts, once per order (the first reading is the evidence).
INSERT INTO overcharges (distributor_id, order_id, purchase_id, quantity, amount_charged, amount_due, found_at)
VALUES (@DistributorId, @OrderId, @PurchaseId, @Quantity, @AmountCharged, @AmountDue, @At)
ON CONFLICT (distributor_id, order_id) DO NOTHING
