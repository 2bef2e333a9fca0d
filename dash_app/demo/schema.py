"""Tables, view and indexes of the demo database: keys, foreign keys, dates, money, text and NULLs.

Indexes are separate because the build creates them after the bulk load, which is several times faster.
"""

SCHEMA = """
CREATE TABLE demo_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, phone TEXT, company TEXT,
    city TEXT NOT NULL, country TEXT NOT NULL, segment TEXT NOT NULL, signup_date DATE NOT NULL,
    is_active BOOLEAN NOT NULL, lifetime_value NUMERIC(12,2) NOT NULL DEFAULT 0);
CREATE TABLE products (id INTEGER PRIMARY KEY, sku TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    category TEXT NOT NULL, unit_price NUMERIC(10,2) NOT NULL, cost NUMERIC(10,2) NOT NULL, description TEXT,
    discontinued BOOLEAN NOT NULL, launched_on DATE NOT NULL);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
    ordered_at TIMESTAMP NOT NULL, shipped_at TIMESTAMP, status TEXT NOT NULL, channel TEXT NOT NULL,
    ship_country TEXT NOT NULL, discount NUMERIC(5,2), notes TEXT);
CREATE TABLE order_lines (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id),
    product_id INTEGER NOT NULL REFERENCES products(id), quantity INTEGER NOT NULL,
    unit_price NUMERIC(10,2) NOT NULL, line_total NUMERIC(12,2) NOT NULL, discount_pct NUMERIC(5,2));
CREATE VIEW order_summary AS
    SELECT o.id AS order_id, c.name AS customer_name, o.ordered_at, o.status,
        (SELECT COUNT(*) FROM order_lines l WHERE l.order_id = o.id) AS line_count,
        (SELECT ROUND(SUM(l.line_total), 2) FROM order_lines l WHERE l.order_id = o.id) AS order_total
    FROM orders o JOIN customers c ON c.id = o.customer_id;
"""
INDEXES = """
CREATE INDEX ix_orders_customer_id ON orders(customer_id);
CREATE INDEX ix_orders_ordered_at ON orders(ordered_at);
CREATE INDEX ix_orders_status ON orders(status);
CREATE INDEX ix_order_lines_order_id ON order_lines(order_id);
CREATE INDEX ix_order_lines_product_id ON order_lines(product_id);
CREATE INDEX ix_customers_country ON customers(country);
CREATE INDEX ix_products_category ON products(category);
"""
